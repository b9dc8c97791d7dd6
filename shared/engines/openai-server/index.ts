export { createEngineServerApp } from "./app.js";
export { startEngineServer, type RunningEngineServer } from "./server.js";
export { hasDetailedLogprobs, type DetailedLogprobsEngine } from "../detailed-logprobs.js";
