/**
 * `assay mti …`: MTI-Bench from the command line. Each subcommand lives in its own module; this one only groups them.
 */
import type { Command } from "commander";
import { registerMtiMatchCommand } from "./mti-match-command.js";
import { registerMtiPromptsCommand } from "./mti-prompts-command.js";
import { registerMtiRunCommand } from "./mti-run-command.js";

/** Adds `assay mti` and its subcommands to the program. */
export function registerMtiCommands(program: Command): Command {
  const mti = program.command("mti").description("MTI-Bench: Single-Task, Batch and Multi-Task Inference");
  registerMtiMatchCommand(mti);
  registerMtiPromptsCommand(mti);
  registerMtiRunCommand(mti);
  return mti;
}
