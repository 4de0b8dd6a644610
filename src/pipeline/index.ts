/** The composition root: one place that wires a camera's stream to the uploader. */
export { CameraPipeline, type CameraPipelineOptions } from './camera-pipeline.js';
