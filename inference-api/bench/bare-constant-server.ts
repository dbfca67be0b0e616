// The HTTP floor: node:http reading the body and answering a constant JSON document.
// Prints "listening <port>" on stdout.
import { createServer } from 'node:http';

const body = JSON.stringify({ label: 'malignant', probabilities: { benign: 0.0006301999092102051, malignant: 0.9993698000907898 } });
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
