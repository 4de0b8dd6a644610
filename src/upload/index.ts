/**
 * The upload stage: the queue, its options and events, tags, checksums and credential providers.
 */
export { Uploader, type StreamUploadSink, type DrainReport, type PendingSegment, type UploadStats } from './uploader.js';
export type { UploaderOptions, SinkOptions, RetryOptions, SseOptions } from './options.js';
export type { UploaderEvents, UploaderEventName, UploadedEvent, UploadErrorEvent, CredentialsNeededEvent, ResumedEvent, DiscardedEvent } from './events.js';
export { parseTags, MAX_TAGS, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, type S3Tag, type TagsInput, type ParsedTags } from './tags.js';
export { crc32Parts, checksumBase64, type UploadChecksum } from './checksum.js';
export { iotCredentialsProvider, IotCredentialsError, type IotCredentialsOptions } from './iot-credentials.js';
export type { AwsCredentialIdentity, AwsCredentialIdentityProvider, CredentialsInput } from './credential-source.js';
export { classifyPutError, type FailureInfo, type FailureKind } from './classify-error.js';
