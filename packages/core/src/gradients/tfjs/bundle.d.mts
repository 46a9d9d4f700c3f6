import type { Plugin as EsbuildPlugin } from 'esbuild';
import type { Plugin as VitePlugin } from 'vite';

export declare const internalsShim: string;
export declare const INTERNAL_MODULES: ReadonlySet<string>;
export declare function distModule(specifier: string, importer: string): string;
export declare function redirectGradientImport(
  specifier: string,
  importer: string | undefined,
): { path: string; external: boolean } | null;
export declare const tfjsGradientsEsbuild: EsbuildPlugin;
export declare const tfjsGradientsVite: VitePlugin;
export declare const tfjsGradientsTsup: { noExternal: RegExp[]; esbuildPlugins: EsbuildPlugin[] };
export declare const tfjsGradientsVitest: { plugins: VitePlugin[]; inline: RegExp[] };
