/**
 * `assay sirllm …`: SirLLM from the command line. Each subcommand lives in its own module; this one only groups them.
 */
import type { Command } from "commander";
import { registerSirllmChatCommand } from "./sirllm-chat-command.js";
import { registerSirllmEvalCommand } from "./sirllm-eval-command.js";
import { registerSirllmSimulateCommand } from "./sirllm-simulate-command.js";

/** Adds `assay sirllm` and its subcommands to the program. */
export function registerSirllmCommands(program: Command): Command {
  const sirllm = program.command("sirllm").description("SirLLM: chat sessions with token-entropy memory");
  registerSirllmSimulateCommand(sirllm);
  registerSirllmEvalCommand(sirllm);
  registerSirllmChatCommand(sirllm);
  return sirllm;
}
