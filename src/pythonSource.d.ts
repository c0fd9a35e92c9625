/** Python programs kept as `.py` files, imported as their text (the build's esbuild loader `.py: text`). */
declare module "*.py" {
  const text: string;
  export default text;
}
