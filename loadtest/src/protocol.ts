/**
 * The request protocols (rightsize's /predict, MLflow's /invocations) for Node callers such as
 * the sweep: the module itself lives with the k6 scripts, which can import no package.
 */
export { DEFAULT_PATHS, PROTOCOLS, isProtocol, pathConflict, requestBody, type Protocol } from '../k6/lib/protocol.js';
