// mux.js 7 ships no types; tests and the ffmpeg source use a small, loosely typed surface of it.
declare module 'mux.js' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const muxjs: any;
  export default muxjs;
}
