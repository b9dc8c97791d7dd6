import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";
import { describeObjectStoreContract } from "./object-store.case.js";

const store = new MemoryObjectStore();
describeObjectStoreContract("MemoryObjectStore", () => store);
