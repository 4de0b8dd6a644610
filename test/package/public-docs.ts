/**
 * Finds the public names (every export of the package's entry points, and the public members of
 * exported classes and interfaces) that have no TSDoc comment, with the TypeScript compiler API.
 */
import ts from 'typescript';

/** The package's entry points, as listed in package.json "exports". */
export const ENTRY_POINTS = ['src/index.ts', 'src/entries/sources.ts', 'src/entries/mpegts.ts', 'src/entries/playlist.ts', 'src/entries/server.ts', 'src/entries/lambda.ts'];

/** Public names without TSDoc, as `entry: Name` or `entry: Name.member`. */
export function undocumentedExports(root: string): string[] {
  const files = ENTRY_POINTS.map((f) => `${root}/${f}`);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const missing = new Set<string>();
  const hasDoc = (s: ts.Symbol): boolean => s.getDocumentationComment(checker).length > 0 || s.getJsDocTags(checker).length > 0;
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`not found: ${file}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!hasDoc(symbol)) missing.add(`${exported.name}`);
      if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) continue;
      for (const member of symbol.members ? [...symbol.members.values()] : []) {
        const decl = member.declarations?.[0];
        if (!decl || member.name.startsWith('#') || member.name === '__constructor') continue;
        const mods = ts.canHaveModifiers(decl) ? (ts.getModifiers(decl) ?? []) : [];
        if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (!hasDoc(member)) missing.add(`${exported.name}.${member.name}`);
      }
    }
  }
  return [...missing].sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const list = undocumentedExports(process.cwd());
  console.log(list.join('\n'));
  console.log(`${list.length} undocumented`);
}
