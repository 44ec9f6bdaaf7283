/** Only the flags that let a child load TypeScript (never -e/-p, which would run the caller again). */
export function nodeLoaderFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] as string;
    if (/^--(import|require|loader|experimental-loader)=/.test(flag)) kept.push(flag);
    else if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(flag) && i + 1 < execArgv.length) {
      kept.push(flag, execArgv[++i] as string);
    }
  }
  return kept;
}
