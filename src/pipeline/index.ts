/** The composition root: one place that wires a camera's stream to the uploader. */
export { CameraPipeline, type CameraPipelineOptions, type CameraPipelineEvents } from './camera-pipeline.js';
export type { SegmentOutcome, SegmentState, SegmentFailureReason, LedgerCounts } from './segment-ledger.js';
export type { PoolTooSmallEvent } from './pool-guard.js';
