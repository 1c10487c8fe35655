#!/usr/bin/env node
import { commands } from './cli/commands.js';

async function usage(): Promise<string> {
  const lines = ['Usage: portcullis <command> [arguments]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(8)}${(await load()).summary}`);
  return `${lines.join('\n')}\n`;
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
  process.stdout.write(await usage());
  process.exitCode = name === undefined ? 2 : 0;
} else if (!Object.hasOwn(commands, name)) {
  process.stderr.write(`portcullis: unknown command "${name}"\n\n${await usage()}`);
  process.exitCode = 2;
} else {
  const command = await commands[name]!();
  const code = await command.run(args);
  if (code !== undefined) process.exitCode = code;
}
