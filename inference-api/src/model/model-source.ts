// Turns MODEL_URI into a local MLflow model folder. Local folders are used in place; registry and
// run references are resolved through MLflow's REST API and downloaded through its artifact proxy
// into a cache keyed by server, name and version (versions are immutable, aliases are not, so an
// alias is resolved on every start and only the version's files are cached).
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../errors.js';
import { proxiedArtifactPath, type MlflowClient } from './mlflow-client.js';
import { describeModelRef, type ModelRef } from './model-uri.js';

export interface ModelSource {
  dir: string;
  uri: string;
  /** Registry identity when MODEL_URI named one. */
  registry: { trackingUri: string; name: string; version: string; alias: string | null; runId: string | null; artifactUri: string } | null;
  run: { trackingUri: string; runId: string; path: string; artifactUri: string } | null;
  fromCache: boolean;
}

export interface ResolveOptions {
  ref: ModelRef;
  mlflow: MlflowClient | null;
  cacheDir: string | undefined;
  log: (msg: string, extra?: Record<string, unknown>) => void;
}

const COMPLETE_MARKER = '.rightsize-complete';

export async function resolveModelSource(options: ResolveOptions): Promise<ModelSource> {
  const { ref } = options;
  const uri = describeModelRef(ref);
  if (ref.kind === 'local') {
    if (!(await exists(ref.path))) {
      throw new StartupError('PREDICT_ERR_MODEL_URI', `MODEL_URI="${uri}": no such folder (relative paths resolve against ${process.cwd()})`);
    }
    return { dir: ref.path, uri, registry: null, run: null, fromCache: false };
  }
  const mlflow = options.mlflow;
  if (!mlflow) {
    throw new StartupError('PREDICT_ERR_MODEL_URI', `MODEL_URI="${uri}" is resolved through MLflow: set MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000)`);
  }
  const cacheRoot = join(options.cacheDir ?? join(tmpdir(), 'rightsize-model-cache'), cacheHost(mlflow.trackingUri));
  if (ref.kind === 'run') {
    const run = await mlflow.getRun(ref.runId);
    const { artifactUri, path } = await findRunModel(mlflow, run, ref.path);
    const local = await fetchTree({ mlflow, artifactUri, path, cacheDir: join(cacheRoot, 'runs', ref.runId, ref.path), uri, log: options.log });
    return { ...local, uri, registry: null, run: { trackingUri: mlflow.trackingUri, runId: ref.runId, path: ref.path, artifactUri } };
  }
  const mv = ref.kind === 'alias' ? await mlflow.getVersionByAlias(ref.name, ref.alias) : await mlflow.getVersion(ref.name, ref.version);
  if (mv.status && mv.status !== 'READY') {
    throw new StartupError('PREDICT_ERR_MLFLOW', `${uri} resolves to version ${mv.version}, whose status is ${mv.status} (not READY)`);
  }
  const artifactUri = await mlflow.getDownloadUri(mv.name, mv.version);
  options.log('resolved model in the MLflow registry', { uri, version: mv.version, artifactUri });
  const local = await fetchTree({
    mlflow,
    artifactUri,
    path: proxiedArtifactPath(artifactUri),
    cacheDir: join(cacheRoot, 'models', safe(mv.name), mv.version),
    uri,
    log: options.log,
  });
  return {
    ...local,
    uri,
    registry: {
      trackingUri: mlflow.trackingUri,
      name: mv.name,
      version: mv.version,
      alias: ref.kind === 'alias' ? ref.alias : null,
      runId: mv.run_id ?? null,
      artifactUri,
    },
    run: null,
  };
}

/** runs:/<id>/<path>: a run artifact folder, or (MLflow 3) a logged model the run produced. */
async function findRunModel(mlflow: MlflowClient, run: Awaited<ReturnType<MlflowClient['getRun']>>, path: string) {
  const runRoot = run.info.artifact_uri.replace(/\/+$/, '');
  const runProxied = proxiedArtifactPath(runRoot);
  if (runProxied !== null) {
    const files = await mlflow.listArtifacts(`${runProxied}/${path}`);
    if (files.some((f) => f.path === 'MLmodel' || f.path.endsWith('/MLmodel'))) return { artifactUri: `${runRoot}/${path}`, path: `${runProxied}/${path}` };
  }
  const [name, ...rest] = path.split('/');
  for (const output of run.outputs?.model_outputs ?? []) {
    const model = await mlflow.getLoggedModel(output.model_id);
    if (model.name === name) {
      const artifactUri = [model.artifact_uri.replace(/\/+$/, ''), ...rest].join('/');
      return { artifactUri, path: proxiedArtifactPath(artifactUri) };
    }
  }
  throw new StartupError('PREDICT_ERR_MODEL_URI', `runs:/${run.info['run_id'] ?? ''}/${path}: the run has no artifact folder or logged model named "${path}"`);
}

interface FetchTreeOptions {
  mlflow: MlflowClient;
  artifactUri: string;
  path: string | null;
  cacheDir: string;
  uri: string;
  log: ResolveOptions['log'];
}

async function fetchTree(o: FetchTreeOptions): Promise<{ dir: string; fromCache: boolean }> {
  if (o.path === null) {
    // Not proxied: usable only if the artifact store is a folder this process can read.
    const local = o.artifactUri.startsWith('file:') ? fileURLToPath(o.artifactUri) : o.artifactUri;
    if (local.startsWith('/') && (await exists(join(local, 'MLmodel')))) return { dir: local, fromCache: false };
    throw new StartupError(
      'PREDICT_ERR_MLFLOW',
      `${o.uri}: artifacts live at ${o.artifactUri}, which MLflow does not proxy; start the tracking server with --serve-artifacts (the default) so the API can download them`,
    );
  }
  if (await exists(join(o.cacheDir, COMPLETE_MARKER))) {
    o.log('using cached model files', { dir: o.cacheDir });
    return { dir: o.cacheDir, fromCache: true };
  }
  const tmp = `${o.cacheDir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    const count = await downloadDir(o.mlflow, o.path, tmp);
    if (!(await exists(join(tmp, 'MLmodel')))) {
      throw new StartupError('PREDICT_ERR_MODEL_FORMAT', `${o.uri}: the artifact folder ${o.artifactUri} has no MLmodel file (${count} files)`);
    }
    await writeFile(join(tmp, COMPLETE_MARKER), `${o.artifactUri}\n`);
    await mkdir(dirname(o.cacheDir), { recursive: true });
    try {
      await rename(tmp, o.cacheDir);
    } catch (err) {
      // Another process finished the same download first: keep its copy.
      if (!(await exists(join(o.cacheDir, COMPLETE_MARKER)))) throw err;
      await rm(tmp, { recursive: true, force: true });
    }
    o.log('downloaded model files through the MLflow artifact proxy', { files: count, dir: o.cacheDir });
    return { dir: o.cacheDir, fromCache: false };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function downloadDir(mlflow: MlflowClient, remote: string, local: string): Promise<number> {
  let count = 0;
  for (const entry of await mlflow.listArtifacts(remote)) {
    const name = entry.path.split('/').pop() ?? entry.path;
    if (name === '' || name === '.' || name === '..') continue;
    if (entry.is_dir) {
      await mkdir(join(local, name), { recursive: true });
      count += await downloadDir(mlflow, `${remote}/${name}`, join(local, name));
      continue;
    }
    const bytes = await mlflow.downloadArtifact(`${remote}/${name}`);
    if (entry.file_size !== undefined && bytes.length !== entry.file_size) {
      throw new StartupError('PREDICT_ERR_MLFLOW', `download of ${remote}/${name} was truncated (${bytes.length} of ${entry.file_size} bytes)`);
    }
    await writeFile(join(local, name), bytes);
    count += 1;
  }
  return count;
}

function cacheHost(trackingUri: string): string {
  const url = new URL(trackingUri);
  return safe(`${url.hostname}_${url.port || (url.protocol === 'https:' ? '443' : '80')}${url.pathname === '/' ? '' : url.pathname}`);
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
