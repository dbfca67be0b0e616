// A small client for the parts of MLflow's REST API we need: registry look-ups, runs, logged
// models, and the artifact proxy (`mlflow server --serve-artifacts`). Responses are checked with
// zod; every failure becomes a StartupError that names the URL and what MLflow said.
import { z } from 'zod';
import { StartupError } from '../errors.js';

export interface MlflowClientOptions {
  trackingUri: string;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
}

const ModelVersionSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

const ArtifactListSchema = z.object({
  files: z.array(z.object({ path: z.string(), is_dir: z.boolean().optional(), file_size: z.coerce.number().optional() })).default([]),
});
export type ArtifactEntry = z.infer<typeof ArtifactListSchema>['files'][number];

const RunSchema = z.object({
  run: z.object({
    info: z.looseObject({ artifact_uri: z.string(), experiment_id: z.string() }),
    outputs: z.object({ model_outputs: z.array(z.object({ model_id: z.string() })).default([]) }).optional(),
  }),
});

const LoggedModelSchema = z.object({
  model: z.object({ info: z.looseObject({ model_id: z.string(), name: z.string(), artifact_uri: z.string() }) }),
});

export interface MlflowClient {
  readonly trackingUri: string;
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  getVersion(name: string, version: string): Promise<ModelVersion>;
  getDownloadUri(name: string, version: string): Promise<string>;
  getRun(runId: string): Promise<z.infer<typeof RunSchema>['run']>;
  getLoggedModel(modelId: string): Promise<z.infer<typeof LoggedModelSchema>['model']['info']>;
  listArtifacts(path: string): Promise<ArtifactEntry[]>;
  downloadArtifact(path: string): Promise<Buffer>;
}

export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const base = options.trackingUri.replace(/\/+$/, '');
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  else if (options.username !== undefined) {
    headers['authorization'] = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }

  async function request(path: string): Promise<Response> {
    const url = `${base}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new StartupError(
        'PREDICT_ERR_MLFLOW',
        `cannot reach MLflow at MLFLOW_TRACKING_URI=${base} (GET ${url}: ${cause}); is the tracking server running and reachable?`,
        { cause: err },
      );
    }
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      let detail = body.slice(0, 300);
      try {
        const parsed = JSON.parse(body) as { error_code?: string; message?: string };
        if (parsed.message) detail = `${parsed.error_code ?? 'error'}: ${parsed.message}`;
      } catch {
        // not JSON; keep the text
      }
      throw new StartupError('PREDICT_ERR_MLFLOW', `MLflow answered ${res.status} to GET ${url}: ${detail || res.statusText}`);
    }
    return res;
  }

  async function json<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const res = await request(path);
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      throw new StartupError('PREDICT_ERR_MLFLOW', `unexpected answer from MLflow to GET ${base}${path}: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  }

  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  return {
    trackingUri: base,
    async getVersionByAlias(name, alias) {
      const r = await json(`/api/2.0/mlflow/registered-models/alias?${q({ name, alias })}`, z.object({ model_version: ModelVersionSchema }));
      return r.model_version;
    },
    async getVersion(name, version) {
      const r = await json(`/api/2.0/mlflow/model-versions/get?${q({ name, version })}`, z.object({ model_version: ModelVersionSchema }));
      return r.model_version;
    },
    async getDownloadUri(name, version) {
      const r = await json(`/api/2.0/mlflow/model-versions/get-download-uri?${q({ name, version })}`, z.object({ artifact_uri: z.string() }));
      return r.artifact_uri;
    },
    async getRun(runId) {
      return (await json(`/api/2.0/mlflow/runs/get?${q({ run_id: runId })}`, RunSchema)).run;
    },
    async getLoggedModel(modelId) {
      return (await json(`/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`, LoggedModelSchema)).model.info;
    },
    async listArtifacts(path) {
      return (await json(`/api/2.0/mlflow-artifacts/artifacts?${q({ path })}`, ArtifactListSchema)).files;
    },
    async downloadArtifact(path) {
      const encoded = path.split('/').map(encodeURIComponent).join('/');
      const res = await request(`/api/2.0/mlflow-artifacts/artifacts/${encoded}`);
      return Buffer.from(await res.arrayBuffer());
    },
  };
}

/**
 * The artifact-proxy path of an artifact URI, or null when MLflow does not proxy it.
 * `mlflow-artifacts:/1/models/m-x/artifacts` and `mlflow-artifacts://host:port/1/...` -> `1/models/m-x/artifacts`.
 */
export function proxiedArtifactPath(artifactUri: string): string | null {
  if (!artifactUri.startsWith('mlflow-artifacts:')) return null;
  const rest = artifactUri.slice('mlflow-artifacts:'.length);
  const path = rest.startsWith('//') ? rest.slice(2).split('/').slice(1).join('/') : rest;
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}
