// Request bodies of POST /v2/models/<name>/infer: JSON, with `application/json` or no Content-Type
// (tritonclient sends none), or a binary tensor data body (those two, or
// `application/octet-stream`) whose Inference-Header-Content-Length splits the JSON header from the
// raw tensors. Registered in the /v2 routes' own context, so no other route takes octet-stream.
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import { onlyWithoutContentType } from '../missing-content-type.js';
import { HEADER_LENGTH, splitBody } from './binary-data.js';

const tails = new WeakMap<FastifyRequest, Buffer>();
const EMPTY = Buffer.alloc(0);

export function registerInferBodyParsers(scope: FastifyInstance): void {
  // Fastify's own JSON parser, so errors (empty, invalid, __proto__) are the ones /predict gives.
  const json = scope.getDefaultJsonParser('error', 'error') as unknown as FastifyBodyParser<Buffer>;
  const parse: FastifyBodyParser<Buffer> = (request, body, done) => {
    let parts: ReturnType<typeof splitBody>;
    try {
      parts = splitBody(body, request.headers[HEADER_LENGTH.toLowerCase()]);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    if (parts.tail.length > 0) tails.set(request, parts.tail);
    json(request, parts.json, done);
  };
  scope.removeAllContentTypeParsers();
  // parseAs buffer: BODY_LIMIT_BYTES applies to binary bodies as to JSON ones.
  scope.addContentTypeParser(['application/json', 'application/octet-stream'], { parseAs: 'buffer' }, parse);
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, onlyWithoutContentType(parse));
}

/** The bytes after the JSON header (empty without Inference-Header-Content-Length). */
export function binaryTail(request: FastifyRequest): Buffer {
  return tails.get(request) ?? EMPTY;
}
