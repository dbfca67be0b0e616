// The ceiling for this model over HTTP: node:http, JSON.parse, a Float32Array in signature order,
// one single-row session.run, JSON.stringify. No validation, routing, metrics or batching.
// Prints "listening <port>" on stdout. Not for production: it trusts its input.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import ort from 'onnxruntime-node';

const dir = process.argv[2] ?? new URL('../../model/artifacts/breast-cancer-gbt', import.meta.url).pathname;
const mlmodel = parseYaml(readFileSync(`${dir}/MLmodel`, 'utf8')) as { signature: { inputs: string } };
const features = (JSON.parse(mlmodel.signature.inputs) as { name: string }[]).map((c) => c.name);
const session = await ort.InferenceSession.create(`${dir}/model.onnx`, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
const input = session.inputNames[0]!;
const k = features.length;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const row = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, number>;
    const x = new Float32Array(k);
    for (let j = 0; j < k; j++) x[j] = row[features[j]!]!;
    session.run({ [input]: new ort.Tensor('float32', x, [1, k]) }).then((out) => {
      const body = JSON.stringify({
        label: out['label']!.data[0],
        probabilities: { benign: out['probability_benign']!.data[0], malignant: out['probability_malignant']!.data[0] },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
