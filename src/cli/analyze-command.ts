import type { CommandRegistrar } from './program';

/** `analyze`: not available yet. */
export const analyzeCommand: CommandRegistrar = () => {};
