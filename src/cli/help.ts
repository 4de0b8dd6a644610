/**
 * The help texts of the `s3hls` CLI. docs/cli.md says the same at more length; keep them in step.
 */

/** `s3hls --help`. */
export const MAIN_HELP = `s3hls - H.264/AAC to HLS (MPEG-TS) segments stored directly in S3, with on-demand playlists

Usage:
  s3hls upload   --input <file|-|url|device|lavfi:graph> --bucket B --prefix P [options]
  s3hls upload   --config cameras.json [--bucket B] [options]
  s3hls playlist --bucket B --prefix P [--start T] [--end T] [--live] [...]
  s3hls export --bucket B --prefix P --start T --end T --output clip.mp4 [...]
  s3hls serve    --bucket B --root-prefix P [--port N] [...]
  s3hls recordings --bucket B --prefix P [--start T] [--end T] [--json]
  s3hls bucket setup --bucket B [--origin O] [--retention-days N] [--dry-run]
  s3hls keep --bucket B --prefix P --start T --end T   (tag a range keep=true)
  s3hls demo     (embedded S3 on loopback + a test camera + the player page; no AWS account)
  s3hls <command> --help      details of one command
  s3hls --help | --version

Credentials come from the standard AWS chain: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, AWS_PROFILE (or --profile), SSO, web identity, instance or container roles.
AWS credentials are never flags.

Exit status: 0 every segment stored; 1 some not stored (or an unexpected error); 2 usage error;
3 bad input (unreadable, not H.264, ffmpeg missing); 4 credentials or permission refused;
5 endpoint unreachable; 130 interrupted twice before the queue drained.
`;

/** `s3hls upload --help`. */
export const UPLOAD_HELP = `s3hls upload - encode or copy an input into HLS segments uploaded to S3

Usage:
  s3hls upload --input <file|-|url|device|lavfi:graph> --bucket B --prefix P [options]
  s3hls upload --config cameras.json [--bucket B] [--prefix PARENT] [options]

Input:
  -i, --input X          a file (.mp4 .mkv .ts ... through ffmpeg; .h264/.264 raw Annex B read
                         directly), - (raw Annex B on stdin), a URL (rtsp://, rtmp://, srt://,
                         http://: live), a device (/dev/video0: live) or lavfi:<graph>
                         (an ffmpeg test pattern, e.g. lavfi:testsrc2=size=1280x720:rate=25)
      --config FILE      many cameras in one process (format: docs/cli.md); flags below are
                         defaults for every camera
      --id ID            camera id for --input (default: the last part of --prefix)
      --fps N|N/D        frame rate of raw H.264 (25, 30000/1001, 29.97); required for .h264
                         files (they carry no timestamps); without it stdin uses the wall clock
      --encoder E        copy (default) | libx264 | h264_nvenc (NVENC needs an NVIDIA GPU)
      --no-audio         ignore the input's audio (default: the first audio track, as AAC)
      --audio-bitrate K  kbit/s of re-encoded audio (AAC input is copied as it is; G.711,
                         Opus, MP3 are encoded to AAC; default 64 for mono, 128 for stereo)
      --live             treat the input as live: run until stopped, restart ffmpeg when it dies
      --loop             play a file over and over in real time, as a live camera
      --realtime         read the input at its native rate (ffmpeg -re)
      --start-time T     wall-clock time of a file's first frame (ISO 8601 or epoch seconds;
                         default now): segment times are start time + media time

Store:
      --bucket B         bucket (required)
      --prefix P         key prefix: the camera folder with --input, the parent with --config
                         (default "cameras": each camera under <parent>/<id>)
      --endpoint URL     an S3-compatible endpoint (MinIO, s3rver, ...)
      --path-style       path-style URLs (most S3-compatible servers need it)
      --region R         region (default AWS_REGION, else us-east-1)
      --profile NAME     AWS profile for credentials
      --tag k=v          object tag, repeatable (S3 allows 10)

Segments and upload:
      --segment-seconds S   target duration (default 2); cuts happen on keyframes only
      --pool-size BYTES     each camera's segment pool (default auto: from a raw H.264 file's first
                            GOP or --bitrate, at least 4M, at most 256M; e.g. 8M, 16MiB)
      --bitrate RATE        the camera's bitrate (e.g. 12M) to size the pool of inputs not measured up front
      --concurrency N       PUTs in flight, all cameras together (default 4)
      --verify MODE         proof a 2xx PUT stored the bytes: auto (echoed checksum, else ETag = MD5),
                            checksum, etag, or off for servers that differ (default auto)
      --drain-timeout S     at the end, wait at most S seconds for the queue (default 60)
      --progress MODE       auto (default: a live line on a TTY, plain lines otherwise) | tty |
                            plain | none

Disk spool (outages, restarts; docs/spool.md):
      --spool DIR           keep segments not yet stored in DIR (locked: one process per DIR);
                            a later run uploads them under the keys they were muxed with
      --spool-max-bytes N   spool quota (default 1G); the oldest spooled segments go first
      --spool-order ORDER   live-first (default: backlog drains in the gaps) | oldest-first

  -h, --help                this text

A file runs as fast as uploads allow and ends; a live input runs until SIGINT/SIGTERM, then every
open segment is finalized and the queue drained (a second signal stops waiting).

Exit status: 0 every segment stored; 1 some not stored; 2 usage error; 3 bad input;
4 credentials or permission refused; 5 endpoint unreachable; 130 interrupted twice.
`;

/** `s3hls playlist --help`. */
export const PLAYLIST_HELP = `s3hls playlist - print an HLS media playlist of the segments stored under a camera prefix

Usage:
  s3hls playlist --bucket B --prefix P [--start T] [--end T] [--live [--window N]] [store options]

  --prefix P         the camera folder, e.g. cameras/front-door (no leading slash, no ..)
  --start T, --end T the range (end exclusive): ISO 8601 with a zone (2026-11-22T03:00:00Z),
                     epoch seconds (9-11 digits), or YYYY-MM-DD HH:mm:ss (UTC). No range: everything.
  --live             a live sliding window of the newest segments instead of a VOD playlist
  --window N         segments in the live window (default 6)
  --multivariant     the multivariant playlist instead (EXT-X-STREAM-INF with BANDWIDTH, AVERAGE-
                     BANDWIDTH, CODECS, RESOLUTION, FRAME-RATE from the stored segments' sizes and
                     metadata; no segment is read). It points at playlist.m3u8?start=&end= (or
                     live.m3u8), as GET /cameras/<camera>/index.m3u8 does
  --media-uri URI    with --multivariant: the media playlist's URI to write instead

Store options (also for serve):
  --bucket B         the bucket
  --region R         AWS region (default AWS_REGION, else us-east-1)
  --endpoint URL     an S3-compatible endpoint, e.g. http://127.0.0.1:4568
  --path-style       path-style URLs (most S3-compatible servers need it)
  --presign SECONDS  segment URLs are presigned GETs valid this long (default 3600, at most 604800)
  --base-url URL     plain segment URLs under this base instead (public bucket or CDN)

Exit status: 0 printed; 1 S3 failed (or --multivariant found no segment); 2 usage error.
`;

/** `s3hls serve --help`. */
export const SERVE_HELP = `s3hls serve - the playlist endpoint and the player page

Usage:
  s3hls serve --bucket B --root-prefix P [--host H] [--port N] [--token T] [options] [store options]

Routes: GET /cameras, /cameras/<camera>/playlist.m3u8?start=&end=, /cameras/<camera>/live.m3u8,
/cameras/<camera>/index.m3u8 (multivariant, passes start/end/live on), and the player page at /.

  --root-prefix P        the folder holding one folder per camera, e.g. cameras
  --host H               address to bind (default 127.0.0.1). Any other address needs --token
                         (or S3HLS_TOKEN), or --public to serve it open anyway
  --public               allow a non-loopback --host without a token (a proxy in front checks
                         callers, or a trusted LAN); see docs/security.md
  --port N               port (default 8080; 0 = any free port)
  --token T              require "Authorization: Bearer T" on every data route (at least 16
                         characters, no whitespace, trimmed; or S3HLS_TOKEN in the environment,
                         which keeps it out of ps). Set but empty is an error (exit 2)
  --cors ORIGINS         *, one origin (https://app.example) or a comma-separated list of origins
  --max-range SECONDS    the longest VOD range served (default 86400)
  --live-window N        segments in live playlists (default 6)
  --live-grace SECONDS   how long a numbering hole (an upload still retrying) holds back live and
                         EVENT playlists before it counts as lost (default 30)

Store options: see s3hls playlist --help. Ctrl-C stops.
`;

/** `s3hls recordings --help`. */
export const RECORDINGS_HELP = `s3hls recordings - the spans of footage stored under a camera prefix

Usage:
  s3hls recordings --bucket B --prefix P [--start T] [--end T] [--json] [store options]

  --prefix P         the camera folder, e.g. cameras/front-door
  --start T, --end T the range (end exclusive), as for s3hls playlist. No range: everything.
  --json             print [{"start": ISO, "end": ISO, "segments": N}] instead of a table

A new span starts at a discontinuity or where a segment begins more than 1 s after the previous
one ended. Store options as for s3hls playlist (--bucket, --region, --endpoint, --path-style).

Exit status: 0 printed; 1 S3 failed; 2 usage error.
`;

/** `s3hls bucket --help`. */
export const BUCKET_HELP = `s3hls bucket setup - CORS for the player page and retention for footage

Usage:
  s3hls bucket setup --bucket B [--origin O] [--retention-days N] [--infrequent-access]
                     [--lifecycle-prefix P] [--dry-run] [store options]

  --origin O           the player page's origin (https://host[:port]); default *
  --retention-days N   lifecycle rule: objects tagged s3hls-retention=expire expire after N days
                       (upload with --tags s3hls-retention=expire; s3hls keep replaces the tag
                       with keep=true, so kept segments no longer match). S3 filters cannot
                       express "unless tagged keep=true" directly.
  --infrequent-access  also move them to STANDARD_IA after 30 days (when N > 30)
  --lifecycle-prefix P limit the rule to a key prefix (default: the whole bucket)
  --dry-run            print the JSON it would put, put nothing

Note: a PUT of either configuration replaces the bucket's existing one.

Exit status: 0 done; 1 S3 refused; 2 usage error.
`;

/** `s3hls keep --help`. */
export const KEEP_HELP = `s3hls keep - keep a range of footage past the retention rule

Usage:
  s3hls keep --bucket B --prefix P --start T --end T [store options]

Tags every segment of the range keep=true (PutObjectTagging). The tag set is replaced, so the
s3hls-retention=expire tag that the lifecycle rule of s3hls bucket setup matches is gone and the
segments are no longer expired. Times: ISO 8601 or epoch seconds. Store options as for
s3hls playlist (--bucket, --region, --endpoint, --path-style).

Exit status: 0 every segment tagged; 1 some failed (named on stderr); 2 usage error.
`;

/** `s3hls export --help`. */
export const EXPORT_HELP = `s3hls export - write a time range of a camera's recording to one MP4 file (fragmented MP4, H.264 + AAC)

Usage:
  s3hls export --bucket B --prefix P --start T --end T --output clip.mp4 [--profile NAME] [store options]

  --prefix P         the camera folder, e.g. cameras/front-door
  --start T, --end T the range (formats as for s3hls playlist). The clip starts at the keyframe at or
                     before start (the segment covering it) and ends with the segment covering end.
                     Gaps are skipped (each is reported) and the clip's timestamps run on continuously.
  --output FILE      the .mp4 to write (-o)
  --profile NAME     AWS shared-config profile (else the default credential chain)
  --max-range S      longest range accepted, seconds (default 21600 = 6 h)

Store options: see s3hls playlist --help. A progress line is shown when stderr is a terminal.
Exit status: 0 written; 1 S3 or write failed; 2 usage error, empty or too long range.
`;
