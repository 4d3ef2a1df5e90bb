import type { CommandRegistrar } from './program';

/** `simulate`: not available yet. */
export const simulateCommand: CommandRegistrar = () => {};
