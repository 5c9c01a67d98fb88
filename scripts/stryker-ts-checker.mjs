/**
 * A TypeScript checker for StrykerJS (`checkers: ['typescript-incremental']` in stryker.config.mjs) that does
 * what @stryker-mutator/typescript-checker does, faster. That one rebuilds through TypeScript's solution
 * builder, which parses all ~530 files of the program again for every mutant (about 3 s each here, so the
 * checker, not the tests, set the pace of `npm run mutate`). This one keeps one language service: a mutant
 * replaces the text of one file, the parsed and bound files of everything else are reused, and only the
 * mutated file is type-checked, and the files importing it directly when the mutant changed its declarations
 * (the reach of TypeScript's `assumeChangesOnlyAffectDirectDependencies`). A mutant that breaks a file further away passes the check
 * and goes to the tests, which is the safe direction: it can only be killed or survive, never be hidden.
 */
import path from 'node:path';
import ts from 'typescript';
import { CheckStatus } from '@stryker-mutator/api/check';
import { commonTokens, declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const formatHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => '\n',
};

class IncrementalTypescriptChecker {
  static inject = [commonTokens.options, commonTokens.logger];

  constructor(options, log) {
    this.tsconfigFile = path.resolve(options.tsconfigFile ?? 'tsconfig.json');
    this.log = log;
    this.texts = new Map(); // file -> text on disk (read once)
    this.versions = new Map(); // file -> version, bumped on every change of its text
    this.mutated = new Map(); // file -> the text with the mutant in place
    this.importers = new Map(); // file -> project files that import it
    this.declarations = new Map(); // file -> its .d.ts without any mutant
    this.starts = new Map(); // file -> { text } for TypeScript's line map
  }

  async init() {
    const parsed = ts.getParsedCommandLineOfConfigFile(this.tsconfigFile, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.formatDiagnostics([d], formatHost));
      },
    });
    // Declarations only, in memory: they tell whether a mutant changed what importers see.
    const options = { ...parsed.options, noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: false, sourceMap: false, incremental: false, composite: false };
    this.rootNames = parsed.fileNames.map((f) => path.resolve(f));
    this.projectFiles = new Set(this.rootNames);
    const host = {
      getScriptFileNames: () => this.rootNames,
      getScriptVersion: (f) => String(this.versions.get(f) ?? 0),
      getScriptSnapshot: (f) => {
        const text = this.mutated.get(f) ?? this.read(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => process.cwd(),
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.read(f) !== undefined,
      readFile: (f) => this.read(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
    const program = this.service.getProgram();
    const errors = ts.getPreEmitDiagnostics(program);
    if (errors.length) throw new Error(`TypeScript errors without any mutant:\n${ts.formatDiagnostics(errors, formatHost)}`);
    for (const file of this.rootNames) {
      for (const { fileName: specifier } of ts.preProcessFile(this.read(file) ?? '', true, true).importedFiles) {
        const target = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule?.resolvedFileName;
        if (target === undefined || !this.projectFiles.has(path.resolve(target))) continue;
        const key = path.resolve(target);
        if (!this.importers.has(key)) this.importers.set(key, new Set());
        this.importers.get(key).add(file);
      }
    }
  }

  async check(mutants) {
    const results = {};
    for (const mutant of mutants) results[mutant.id] = this.checkOne(mutant);
    return results;
  }

  checkOne(mutant) {
    const file = path.resolve(mutant.fileName);
    const text = this.read(file);
    if (text === undefined || !this.projectFiles.has(file)) return { status: CheckStatus.Passed };
    // Stryker's locations count lines from 0, as TypeScript does.
    const lines = this.lines(file, text);
    const start = ts.getPositionOfLineAndCharacter(lines, mutant.location.start.line, mutant.location.start.column);
    const end = ts.getPositionOfLineAndCharacter(lines, mutant.location.end.line, mutant.location.end.column);
    if (!this.declarations.has(file)) this.declarations.set(file, this.declarationOf(file));
    this.setText(file, `${text.slice(0, start)}${mutant.replacement}${text.slice(end)}`);
    try {
      const diagnostics = [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)];
      // Importers can only break when what they import changed, i.e. the file's declarations (as TypeScript's
      // own incremental builder decides which files to check again).
      if (diagnostics.length === 0 && this.declarationOf(file) !== this.declarations.get(file)) {
        for (const importer of this.importers.get(file) ?? []) diagnostics.push(...this.service.getSemanticDiagnostics(importer));
      }
      return diagnostics.length === 0
        ? { status: CheckStatus.Passed }
        : { status: CheckStatus.CompileError, reason: ts.formatDiagnostics(diagnostics, formatHost) };
    } finally {
      this.setText(file, undefined);
    }
  }

  setText(file, text) {
    if (text === undefined) this.mutated.delete(file);
    else this.mutated.set(file, text);
    this.versions.set(file, (this.versions.get(file) ?? 0) + 1);
  }

  declarationOf(file) {
    return this.service.getEmitOutput(file, true).outputFiles.map((o) => o.text).join('\n');
  }

  lines(file, text) {
    if (!this.starts.has(file)) this.starts.set(file, { text }); // TypeScript caches the line map in it
    return this.starts.get(file);
  }

  read(file) {
    if (!this.texts.has(file)) this.texts.set(file, ts.sys.readFile(file));
    return this.texts.get(file);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Checker, 'typescript-incremental', IncrementalTypescriptChecker)];
