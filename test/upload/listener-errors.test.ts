/**
 * A listener that throws is not swallowed: the exception reaches the process (as from a Node
 * EventEmitter listener), after the uploader finished settling the segment, and the other
 * listeners still ran.
 */
import t from 'tap';
import { TypedEmitter } from '../../src/upload/events.js';

t.test('a throwing listener: the others run, emit returns, the error surfaces on a microtask', async (t) => {
  const emitter = new TypedEmitter<{ uploaded: { key: string } }>();
  const seen: string[] = [];
  emitter.on('uploaded', () => {
    throw new Error('listener bug');
  });
  emitter.on('uploaded', (e) => seen.push(e.key));
  // tap owns uncaughtException; this test takes it over for the one expected throw.
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const surfaced = new Promise<Error>((resolve) => process.once('uncaughtException', resolve));
  try {
    emitter.emit('uploaded', { key: 'a.ts' });
    t.same(seen, ['a.ts'], 'the second listener ran and emit returned normally');
    const err = await surfaced;
    t.equal(err.message, 'listener bug', 'not swallowed');
  } finally {
    for (const l of listeners) process.on('uncaughtException', l);
  }
});

t.test('an owner may still route listener errors elsewhere', async (t) => {
  const errors: unknown[] = [];
  const emitter = new TypedEmitter<{ x: number }>((e) => errors.push(e));
  emitter.on('x', () => {
    throw new RangeError('bad');
  });
  emitter.emit('x', 1);
  t.equal(errors.length, 1);
  t.type(errors[0], RangeError);
});
