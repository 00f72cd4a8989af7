// One parsed file with the per-file analysers the route code already has (name resolution, receiver
// analysis), built once per parse and found again from any of its nodes.
import type ts from 'typescript';
import { ReceiverAnalyzer } from './receivers';
import { Resolver } from './resolve';
import type { SourceCache } from './sourceCache';

export interface FileContext {
  file: string;
  sourceFile: ts.SourceFile;
  resolver: Resolver;
  receivers: ReceiverAnalyzer;
}

/** Where the analysers get files from. */
export interface ContextSource {
  get(file: string): FileContext | undefined;
  ofNode(node: ts.Node): FileContext;
}

export class FileContexts implements ContextSource {
  private readonly contexts = new WeakMap<ts.SourceFile, FileContext>();

  constructor(readonly cache: SourceCache) {}

  /** The file's context, or undefined when it cannot be read or parsed. */
  get(file: string): FileContext | undefined {
    const sourceFile = this.cache.sourceFile(file);
    return sourceFile && this.of(sourceFile);
  }

  /** The context of the file a node belongs to. */
  ofNode(node: ts.Node): FileContext {
    return this.of(node.getSourceFile());
  }

  /** A view that notes every file read through it (what an analysis result depends on). */
  recording(files: Set<string>): ContextSource {
    return {
      get: (file) => {
        files.add(file);
        return this.get(file);
      },
      ofNode: (node) => {
        const context = this.ofNode(node);
        files.add(context.file);
        return context;
      },
    };
  }

  private of(sourceFile: ts.SourceFile): FileContext {
    let context = this.contexts.get(sourceFile);
    if (!context) {
      const resolver = new Resolver(sourceFile);
      context = { file: sourceFile.fileName, sourceFile, resolver, receivers: new ReceiverAnalyzer(resolver) };
      this.contexts.set(sourceFile, context);
    }
    return context;
  }
}
