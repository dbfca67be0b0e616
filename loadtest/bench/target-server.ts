/**
 * The benchmark's target: a bare node:http server that reads the body and answers a constant
 * prediction (the API's response shape). It is far cheaper per request than any generator, so
 * the generator's own limits are what the benchmark sees. Listens on loopback, port 0; prints
 * its port on stdout. Run pinned to its own core by bench/run.ts (taskset).
 */
import http from 'node:http';

const body = JSON.stringify({ label: 'benign', probabilities: { benign: 0.9, malignant: 0.1 }, model: { name: 'bench', version: '1' } });
let served = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/count') {
      res.end(String(served));
      return;
    }
    served++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
