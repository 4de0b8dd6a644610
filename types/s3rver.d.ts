// s3rver and its fork ship no types: the small surface the tests, the demo and the benchmarks use.
declare module 's3rver' {
  import type { Server } from 'node:http';
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs: (string | Buffer)[] }[];
  }
  class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    httpServer: Server;
  }
  export default S3rver;
}
declare module '@20minutes/s3rver' {
  import S3rver from 's3rver';
  export default S3rver;
}
