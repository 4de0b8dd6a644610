/**
 * `s3hls/lambda`: the playlist endpoint as an AWS Lambda handler behind an HTTP API (payload v2).
 * `handler` reads its configuration from the environment (`optionsFromEnv`); `createLambdaHandler`
 * takes it in code.
 */
export { handler, createLambdaHandler, optionsFromEnv, type HttpApiEventV2, type HttpApiResultV2 } from '../lambda/handler.js';
