/** The fault-injecting proxy moved to src/bench/fault-proxy.ts (the chaos run ships it); tests import it from here. */
export * from '../../src/bench/fault-proxy.js';
