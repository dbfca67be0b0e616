// rightsize node sampler: a read-only window on one node's cgroup files, for a sweep that runs
// elsewhere (resource-sweeps/src/adapters/node-sampler.ts is its client, and parses what it reads).
//
//   GET  /health  -> {"node": {"id", "hostname"}}
//   POST /read    {"files": ["memory/docker/<id>/memory.usage_in_bytes", "/proc/stat", ...]}
//                 -> {"node": {...}, "texts": ["123\n", null, ...]}   (null: no such file)
//
// Files are paths relative to the cgroup root (CGROUP_ROOT, the host's /sys/fs/cgroup mounted
// read-only), plus /proc/stat and /proc/pressure/cpu (the host's: /proc/stat is not namespaced).
// Anything else, a path leaving the root, more than 512 files or a body over 64 KiB is a 400
// naming what is wrong. It only reads; it never writes, lists or executes anything.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(process.env.CGROUP_ROOT || '/host/cgroup');
const PORT = Number(process.env.PORT || 9100);
const NODE = { id: process.env.NODE_ID || '', hostname: process.env.NODE_HOSTNAME || '' };
const PROC = new Set(['/proc/stat', '/proc/pressure/cpu']);
const MAX_FILES = 512;
const MAX_BODY = 64 * 1024;

/** The absolute file a requested name means, or an error message. */
function resolveFile(file) {
  if (typeof file !== 'string' || file.length === 0 || file.length > 512) return { error: 'every file must be a non-empty string of at most 512 characters' };
  if (PROC.has(file)) return { full: file };
  if (file.startsWith('/')) return { error: `"${file}": absolute paths other than ${[...PROC].join(', ')} are refused; give paths relative to the cgroup root` };
  const full = path.resolve(ROOT, file);
  if (!full.startsWith(`${ROOT}${path.sep}`)) return { error: `"${file}" leaves the cgroup root` };
  return { full };
}

async function readText(full) {
  try {
    return await readFile(full, 'utf8');
  } catch {
    return null;
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { node: NODE });
  if (req.url !== '/read') return send(res, 404, { error: `no route ${req.method} ${req.url}: GET /health, POST /read` });
  if (req.method !== 'POST') return send(res, 405, { error: 'POST /read with {"files": [...]}' });
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      send(res, 413, { error: `body over ${MAX_BODY} bytes` });
      req.destroy();
    } else chunks.push(chunk);
  });
  req.on('end', async () => {
    if (res.headersSent) return;
    let files;
    try {
      files = JSON.parse(Buffer.concat(chunks).toString('utf8')).files;
    } catch {
      return send(res, 400, { error: 'the body must be JSON: {"files": ["<path relative to the cgroup root>", ...]}' });
    }
    if (!Array.isArray(files) || files.length > MAX_FILES) return send(res, 400, { error: `"files" must be an array of at most ${MAX_FILES} paths` });
    const resolved = files.map(resolveFile);
    const bad = resolved.find((r) => r.error);
    if (bad) return send(res, 400, { error: bad.error });
    send(res, 200, { node: NODE, texts: await Promise.all(resolved.map((r) => readText(r.full))) });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(PORT, '0.0.0.0', () => process.stdout.write(`rightsize node sampler on :${PORT}, node ${NODE.hostname || '?'} (${NODE.id || '?'}), cgroup root ${ROOT}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
