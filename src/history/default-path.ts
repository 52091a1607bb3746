import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * Where history lives unless told otherwise: the user's cache directory, `mpmsub/history.jsonl`
 * in it. On macOS that is `~/Library/Caches`; elsewhere `$XDG_CACHE_HOME` if it is an absolute
 * path (as the XDG spec requires), else `~/.cache`.
 */
export function defaultHistoryPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === "darwin") return join(home, "Library", "Caches", "mpmsub", "history.jsonl");
  const xdg = env.XDG_CACHE_HOME;
  const cache = xdg && isAbsolute(xdg) ? xdg : join(home, ".cache");
  return join(cache, "mpmsub", "history.jsonl");
}
