/**
 * The S3 emulator in a process of its own, so a bench can keep gigabytes of pieces outside the process it measures.
 * Prints `{"endpoint": …, "bucket": …}` once listening; stops when its stdin closes.
 */
import { startLocalAws } from "../../shared/local/emulator.js";

const bucket = process.argv[2] ?? "assay-bench";
const aws = await startLocalAws({ bucket, queues: [] });
process.stdout.write(`${JSON.stringify({ endpoint: aws.endpoint, bucket })}\n`);
process.stdin.resume();
process.stdin.on("end", () => void aws.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void aws.stop().then(() => process.exit(0)));
