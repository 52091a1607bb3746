// Plain worker_threads: one postMessage per task each way, [id, task name, argument].
import { parentPort } from "node:worker_threads";
import { medium, noop, small } from "./tasks.mjs";

const tasks = { noop, small, medium };

parentPort.on("message", ([id, name, x]) => parentPort.postMessage([id, tasks[name](x)]));
