// `lab finetune`'s option table on a commander program of its own: the defaults, the choices, and the
// refusals naming the option (each refused before the command would run; finetune.test.ts runs it).
import { FINE_TUNE_STRATEGIES } from '@lab/finetune';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerFinetune } from './finetune-command.js';
import { CUT_LAYERS } from './finetune-model.js';

function program(): { program: Command; command: Command; errors: string[] } {
  const errors: string[] = [];
  const p = new Command('lab').exitOverride().configureOutput({
    writeErr: (s) => errors.push(s),
    writeOut: () => {},
  });
  registerFinetune(p);
  const command = p.commands.find((c) => c.name() === 'finetune')!;
  command.exitOverride();
  return { program: p, command, errors };
}

/** The error commander raises for these finetune arguments (none: the command would have run). */
async function refusal(...args: string[]): Promise<string> {
  const { program: p, command } = program();
  // the action is never reached by a refused option; replace it so an accepted one cannot train
  command.action(() => {
    throw new Error('accepted');
  });
  try {
    await p.parseAsync(['node', 'lab', 'finetune', ...args]);
  } catch (e) {
    if (e instanceof CommanderError) return e.message;
    throw e;
  }
  return 'accepted';
}

describe('lab finetune options', () => {
  it('registers one finetune command with its defaults', () => {
    const { program: p, command } = program();
    expect(p.commands.map((c) => c.name())).toEqual(['finetune']);
    const defaults = Object.fromEntries(command.options.map((o) => [o.long, o.defaultValue]));
    expect(defaults).toMatchObject({
      '--cut-at': 'fc',
      '--strategy': 'gradual',
      '--labels-per-class': 10,
      '--pretrain-steps': 500,
      '--seed': 0,
      '--out': 'lab-out/finetune',
      '--backend': 'wasm',
    });
    const choices = Object.fromEntries(command.options.map((o) => [o.long, o.argChoices]));
    expect(choices['--strategy']).toEqual([...FINE_TUNE_STRATEGIES]);
    expect(choices['--layout']).toEqual(['lab', 'torch']);
    expect(choices['--backend']).toEqual(['wasm', 'cpu']);
    expect(command.options.find((o) => o.long === '--cut-at')!.description).toContain(CUT_LAYERS.join(', '));
  });

  it.each([
    [['--labels-per-class', '0'], '--labels-per-class must be an integer in [1, 100000]'],
    [['--labels-per-class', '1.5'], '--labels-per-class must be an integer'],
    [['--epochs', '0'], '--epochs must be an integer in [1, 10000]'],
    [['--steps', 'many'], '--steps must be an integer'],
    [['--pretrain-steps', '-1'], '--pretrain-steps must be an integer'],
    [['--lr', '0'], '--lr must be a number in (0, 1]'],
    [['--lr', '2'], '--lr must be a number in (0, 1]'],
    [['--shift', '9'], '--shift must be an integer in [0, 8]'],
    [['--seed', '-3'], '--seed must be an integer in [0, 4294967295]'],
  ])('refuses %j, naming the option and its range', async (args, message) => {
    const error = await refusal(...args);
    expect(error).toContain(`option '${args[0]} `);
    expect(error).toContain(message);
  });

  it('refuses values outside the choices, listing them', async () => {
    expect(await refusal('--strategy', 'magic')).toMatch(/--strategy.*Allowed choices are/);
    expect(await refusal('--layout', 'keras')).toMatch(/lab, torch/);
    expect(await refusal('--backend', 'gpu')).toMatch(/wasm, cpu/);
  });
});
