// POST /invocations: MLflow's scoring protocol, answering what `mlflow models serve` answers for
// the same model and payload. Registered in its own encapsulated context so that it can take
// any content type (MLflow answers unsupported ones with its own 415 text) and read raw bodies.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { mlflowErrorResponses, WITH_BODY } from '../error-responses.js';
import { invocationsBodySchema } from '../invocations/body-schema.js';
import { tableToRows } from '../invocations/enforce.js';
import { invalid, parseInvocationInput } from '../invocations/parse-input.js';
import { renderRecords, renderTensorDict } from '../invocations/render.js';
import { encodeTensors } from '../model/tensor-input.js';

export async function invocationsRoute(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { model, inference, admission, config } = ctx;
  const signature = model.mlmodel.signature;
  const order = model.graph.outputs.map((o) => o.name);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/invocations', {
    config: { admission: true, errorFormat: 'mlflow' },
    onRequest: admission.onRequest,
    schema: {
      summary: "MLflow's scoring protocol (same answers as `mlflow models serve`)",
      tags: ['mlflow'],
      // Documented, not enforced by Fastify: MLflow's own rules (and error codes) apply in the handler.
      body: invocationsBodySchema(signature?.kind === 'columns' ? signature.columns : null, config.limits.maxRows),
      response: {
        200: z.object({ predictions: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]) }).describe('what `mlflow models serve` answers: one record per row, or a dict of output tensors'),
        ...mlflowErrorResponses(WITH_BODY),
      },
    },
    validatorCompiler: () => (data) => ({ value: data }),
    async handler(request, reply) {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const input = parseInvocationInput(request.headers['content-type'], body);
      let text: string;
      if (input.kind === 'table' && signature?.kind === 'columns') {
        const rows = tableToRows(input, signature.columns, config.limits.maxRows);
        const encoded = model.inputs.allocate(rows.length);
        for (let i = 0; i < rows.length; i++) model.inputs.write(encoded, i, rows[i]!);
        const slice = await inference.infer(encoded);
        text = renderRecords(slice.outputs, order, slice.offset, slice.n);
      } else if (signature?.kind !== 'columns') {
        // A table for a tensor-based model: MLflow feeds its values as one [N, columns] tensor.
        const data = input.kind === 'tensor' ? input.data : input.rows;
        const values = data !== null && typeof data === 'object' && !Array.isArray(data)
          ? Object.entries(data as Record<string, unknown>).map(([name, v]) => ({ name, data: v }))
          : [{ name: model.inputs.slots[0]?.name ?? 'input', data }];
        const encoded = encodeTensors(model.inputs, values, config.limits.maxRows);
        if (!encoded.ok) throw invalid(encoded.fields.map((f) => `${f.field}: ${f.message}`).join('; '), 'INVALID_PARAMETER_VALUE');
        const slice = await inference.infer(encoded.batch);
        text = renderTensorDict(slice.outputs, order, slice.offset, slice.n);
      } else {
        // A plain list of rows for a column-based model: MLflow cannot map it to named columns.
        const names = signature.columns.map((c) => `'${c.name}'`).join(', ');
        throw invalid(`Failed to enforce schema of data with the model signature. Error: Model is missing inputs [${names}].`, 'INVALID_PARAMETER_VALUE');
      }
      return reply.type('application/json').send(text);
    },
  });
}

