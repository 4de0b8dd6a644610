/** The fault-injecting proxy moved to bench/fault-proxy.ts (the chaos run ships it); tests import it from here. */
export * from '../../bench/fault-proxy.js';
