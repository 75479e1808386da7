// Types for build-inputs.mjs (plain JavaScript: scripts/prepare.mjs runs before anything is compiled).
export interface Build {
  inputs: string[];
  stamp: string;
  output: string;
}
export declare const root: string;
export declare const SERVER_BUILD: Build;
export declare function hashInputs(inputs: string[]): string;
export declare function rebuildHash(build: Build): string | null;
