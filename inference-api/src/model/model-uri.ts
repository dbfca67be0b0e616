// MODEL_URI forms: a local MLflow model folder (path or file:// URL), or a reference resolved
// through an MLflow tracking server: models:/<name>@<alias>, models:/<name>/<version>,
// runs:/<run_id>/<artifact path>.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../errors.js';

export type ModelRef =
  | { kind: 'local'; path: string }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'run'; runId: string; path: string };

const USAGE =
  'use a local MLflow model folder, models:/<name>@<alias>, models:/<name>/<version> or runs:/<run_id>/<path>';

/** Pure: parse MODEL_URI; relative local paths resolve against `cwd`. */
export function parseModelUri(uri: string, cwd: string): ModelRef {
  const bad = (why: string) => new StartupError('PREDICT_ERR_MODEL_URI', `MODEL_URI="${uri}": ${why}; ${USAGE}`);
  if (uri.startsWith('models:/')) {
    const rest = uri.slice('models:/'.length).replace(/^\/+/, '');
    const at = rest.lastIndexOf('@');
    if (at > 0) {
      const name = decodeURIComponent(rest.slice(0, at));
      const alias = rest.slice(at + 1);
      if (!alias || alias.includes('/')) throw bad('the alias after @ is empty or contains "/"');
      return { kind: 'alias', name, alias };
    }
    const slash = rest.lastIndexOf('/');
    if (slash <= 0) {
      throw bad(rest.startsWith('m-') ? 'MLflow 3 logged-model ids (models:/m-...) are not supported' : 'missing @<alias> or /<version>');
    }
    const name = decodeURIComponent(rest.slice(0, slash));
    const version = rest.slice(slash + 1);
    if (!/^\d+$/.test(version)) throw bad(`"${version}" is not a version number (stages are deprecated in MLflow; use an alias)`);
    return { kind: 'version', name, version };
  }
  if (uri.startsWith('runs:/')) {
    const parts = uri.slice('runs:/'.length).replace(/^\/+/, '').split('/');
    const runId = parts[0] ?? '';
    const path = parts.slice(1).filter(Boolean).join('/');
    if (!runId || !path) throw bad('expected runs:/<run_id>/<artifact path>');
    return { kind: 'run', runId, path };
  }
  if (uri.startsWith('file://')) return { kind: 'local', path: fileURLToPath(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || /^[a-z][a-z0-9+.-]*:\//i.test(uri)) {
    throw bad(`the scheme "${uri.split(':')[0]}" is not supported (object stores are reached through MLflow's artifact proxy)`);
  }
  return { kind: 'local', path: isAbsolute(uri) ? uri : resolve(cwd, uri) };
}

export function describeModelRef(ref: ModelRef): string {
  switch (ref.kind) {
    case 'local':
      return ref.path;
    case 'alias':
      return `models:/${ref.name}@${ref.alias}`;
    case 'version':
      return `models:/${ref.name}/${ref.version}`;
    case 'run':
      return `runs:/${ref.runId}/${ref.path}`;
  }
}
