/** Every public name of the package has TSDoc (issue: a third of the public members had none). */
import t from 'tap';
import { undocumentedExports } from './public-docs.js';

t.test('every export of every entry point, and every public member, has a TSDoc comment', async (t) => {
  const missing = undocumentedExports(process.cwd());
  t.same(missing, [], `undocumented:\n${missing.join('\n')}`);
});
