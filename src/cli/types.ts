/** A CLI command: receives the arguments after its name, resolves to the exit code (undefined: keep running). */
export type Command = (args: string[]) => Promise<number | undefined>;

export interface CommandModule {
  run: Command;
}
