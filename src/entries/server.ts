/**
 * `s3hls/server`: the playlist endpoint and player page as an HTTP server (`startPlaylistServer`),
 * or as a request → response function to mount in another server (`createPlaylistRoutes`).
 */
export { startPlaylistServer, type PlaylistServer, type PlaylistServerOptions } from '../server/playlist-server.js';
export { createPlaylistRoutes, type PlaylistRoutesOptions, type RouteRequest, type RouteResponse } from '../server/playlist-routes.js';
