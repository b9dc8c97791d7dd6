/** The openai-chat adapter (loaded lazily by the engine registry). */
export { createOpenAIChatEngine, type OpenAIChatDeps } from "./openai-chat-engine.js";
export { openAIChatConfigSchema, type OpenAIChatConfig } from "./openai-chat-config.js";
export { buildChatBody, parseChatResponse, type ChatCompletionsBody, type MaxTokensField } from "./chat-wire.js";
