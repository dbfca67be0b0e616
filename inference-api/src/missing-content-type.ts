// A request body without a Content-Type header is JSON, as the Open Inference Protocol's reference
// servers (Triton, KServe) read it; tritonclient sends none at all. Fastify looks a missing type up
// under '*', its catch-all, so the parser below refuses every other unknown type with the same 415
// as before. One difference: such a body is now read (up to BODY_LIMIT_BYTES) before the 415.
import { errorCodes, type FastifyBodyParser, type FastifyInstance } from 'fastify';

/** Runs `parse` for bodies without Content-Type; any other unmatched type -> 415. */
export function onlyWithoutContentType(parse: FastifyBodyParser<Buffer>): FastifyBodyParser<Buffer> {
  return (request, body, done) => {
    if (request.headers['content-type'] === undefined) return parse(request, body, done);
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined);
  };
}

/** Registers the JSON parser for bodies without Content-Type in `app` (and its children). */
export function acceptJsonWithoutContentType(app: FastifyInstance): void {
  // Fastify's default JSON parser (secure-json-parse) takes a Buffer as well as a string.
  const json = app.getDefaultJsonParser('error', 'error') as unknown as FastifyBodyParser<Buffer>;
  app.addContentTypeParser('*', { parseAs: 'buffer' }, onlyWithoutContentType(json));
}
