import { commandNames, commands, summaries } from './commands.js';

function usage(): string {
  const lines = ['Usage: portcullis <command> [arguments]', '', 'Commands:'];
  for (const name of commandNames) lines.push(`  ${name.padEnd(8)}${summaries[name]}`);
  return `${lines.join('\n')}\n`;
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
  process.stdout.write(usage());
  process.exitCode = name === undefined ? 2 : 0;
} else if (!(commandNames as readonly string[]).includes(name)) {
  process.stderr.write(`portcullis: unknown command "${name}"\n\n${usage()}`);
  process.exitCode = 2;
} else {
  const command = await commands[name as keyof typeof commands]();
  const code = await command.run(args);
  if (code !== undefined) process.exitCode = code;
}
