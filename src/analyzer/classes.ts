import ts = require("typescript");
import { EvalError } from "./errors";
import { unsupported, type Evaluator, type Instance } from "./evaluator";
import { hasModifier } from "./syntax";
import { Builtin, BuiltinClass, ClassValue, Closure, Env, ModuleValue, ObjectValue, Poison, type CallSite, type ContainerKind, type Value } from "./values";

/** Classes of the abstract interpreter: definitions, methods, `new`, constructors and `super`. */

/** `ts.SyntaxKind` is a getter of TypeScript's module object: read it once, not in every `case`. */
const SK = ts.SyntaxKind;

export function defineClass(ip: Evaluator, node: ts.ClassLikeDeclaration, env: Env): ClassValue {
  let base: ClassValue | BuiltinClass | null = null;
  const ext = node.heritageClauses?.find((h) => h.token === SK.ExtendsKeyword)?.types[0];
  if (ext) {
    const b = ip.eval(ext.expression, env);
    if (b instanceof ClassValue || b instanceof BuiltinClass) base = b;
    else if (b instanceof Builtin)
      throw new EvalError(
        ext,
        `A class can only extend a class: ${b.name} is a function (nn.Module, nn.Sequential, the nn layers and your own classes can be extended)`,
        "type-error",
      );
    else throw new EvalError(ext, `A class can only extend a class (nn.Module, nn.Sequential, an nn layer or your own), not ${ip.display(b)}`, "type-error");
  }
  const cls = new ClassValue(node.name?.text ?? "anonymous", node, env, base);
  const staticEnv = new Env(env);
  staticEnv.declare("this", cls, false);
  for (const m of node.members) {
    if (ts.isPropertyDeclaration(m) && isStatic(m)) {
      cls.statics.set(ip.propName(m.name, env), m.initializer ? ip.eval(m.initializer, staticEnv) : undefined);
    } else if (ts.isMethodDeclaration(m) && isStatic(m)) {
      cls.statics.set(ip.propName(m.name, env), new Closure(m, env, cls, cls));
    } else if (ts.isClassStaticBlockDeclaration(m)) throw unsupported(m, "Static blocks are");
    else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) throw unsupported(m, "Getters and setters in classes are");
  }
  return cls;
}

function isStatic(m: ts.ClassElement): boolean {
  return hasModifier(m, SK.StaticKeyword);
}

/** Finds a method along the class chain; returns it bound to `self`. */
export function findMethod(cls: ClassValue, name: string, self: Value): Closure | undefined {
  for (let c: ClassValue | BuiltinClass | null = cls; c instanceof ClassValue; c = c.base) {
    for (const m of c.node.members) {
      if (ts.isMethodDeclaration(m) && !isStatic(m) && m.body && m.name.getText() === name) return new Closure(m, c.env, self, c);
    }
  }
  return undefined;
}

export function construct(ip: Evaluator, callee: Value, args: Value[], site: CallSite, calleeNode: ts.Node): Value {
  if (callee instanceof Poison) return callee;
  if (callee instanceof Builtin && callee.constructible) return callee.call(args, site);
  if (callee instanceof BuiltinClass) {
    if (callee.factory) return callee.factory.call(args, site);
    const m = new ModuleValue("Module", site.node, undefined, undefined, undefined);
    return m;
  }
  if (callee instanceof ClassValue) {
    const root = callee.root;
    const instance: Instance = root ? new ModuleValue(callee.name, site.node, undefined, containerOfRoot(root), callee) : new ObjectValue(new Map(), callee);
    runConstructor(ip, callee, instance, args, site);
    return instance;
  }
  throw new EvalError(calleeNode, `'${calleeNode.getText()}' cannot be instantiated with 'new' (it is ${ip.display(callee)})`, "not-callable");
}

function runConstructor(ip: Evaluator, cls: ClassValue, instance: Instance, args: Value[], site: CallSite): void {
  const ctor = cls.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  ip.enter(site.node);
  try {
    if (!ctor) {
      // Implicit constructor: passes its arguments to the base class.
      runSuper(ip, cls, instance, args, site);
      initFields(ip, cls, instance, undefined);
      return;
    }
    const env = new Env(cls.env);
    env.declare("this", instance, false);
    env.declare("%home", cls, false);
    ip.bindParams(ctor, args, env);
    if (!cls.base) initFields(ip, cls, instance, env);
    ip.execBlock(ctor.body!.statements, env);
  } finally {
    ip.leave();
  }
}

function runSuper(ip: Evaluator, cls: ClassValue, instance: Instance, args: Value[], site: CallSite): void {
  const base = cls.base;
  if (base instanceof ClassValue) runConstructor(ip, base, instance, args, site);
  else if (base instanceof BuiltinClass && instance instanceof ModuleValue) ip.torch.builtinSuper(instance, base, args, site);
}

/** Parameter properties, then field initialisers, as TypeScript emits them after `super()`. */
function initFields(ip: Evaluator, cls: ClassValue, instance: Instance, ctorEnv: Env | undefined): void {
  const ctor = cls.node.members.find(ts.isConstructorDeclaration);
  if (ctor && ctorEnv) {
    for (const p of ctor.parameters) {
      if (ts.isParameterPropertyDeclaration(p, ctor) && ts.isIdentifier(p.name)) {
        ip.setProperty(instance, p.name.text, ctorEnv.lookup(p.name.text)?.value, p);
      }
    }
  }
  const env = new Env(cls.env);
  env.declare("this", instance, false);
  for (const m of cls.node.members) {
    if (!ts.isPropertyDeclaration(m) || isStatic(m)) continue;
    if (hasModifier(m, SK.DeclareKeyword)) continue;
    const name = ip.propName(m.name, env);
    const v = m.initializer ? ip.eval(m.initializer, env) : undefined;
    if (m.initializer || !(instance instanceof ModuleValue ? instance.fields.has(name) : instance.props.has(name))) ip.setProperty(instance, name, v, m);
  }
}

function homeOf(node: ts.Node, env: Env): ClassValue {
  const home = env.lookup("%home")?.value;
  if (!(home instanceof ClassValue)) throw new EvalError(node, "'super' is only available in a class that extends another", "type-error");
  return home;
}

export function superCall(ip: Evaluator, node: ts.CallExpression, env: Env): Value {
  const home = homeOf(node, env);
  const self = env.lookup("this")?.value;
  if (!(self instanceof ModuleValue || self instanceof ObjectValue)) throw new EvalError(node, "'super()' outside a constructor", "type-error");
  const { args, site } = ip.evalArgs(node, node.arguments, env);
  runSuper(ip, home, self, args, site);
  initFields(ip, home, self, env);
  return undefined;
}

export function superMember(ip: Evaluator, p: ts.PropertyAccessExpression, env: Env): Value {
  const home = homeOf(p, env);
  const self = env.lookup("this")?.value;
  const name = p.name.text;
  if (home.base instanceof ClassValue) {
    const m = ip.findMethod(home.base, name, self);
    if (m) return m;
  }
  if (self instanceof ModuleValue && name === "forward" && self.layer) {
    return new Builtin(`${self.layer.kind.type}.forward`, (args, site) => ip.torch.layerForward(self, args, site));
  }
  if (self instanceof ModuleValue && name === "forward" && self.container === "Sequential") {
    return new Builtin("Sequential.forward", (args, site) => ip.torch.callModule(asSequentialView(self), args, site));
  }
  throw new EvalError(p, `The base class of ${home.name} has no method '${name}'`, "undefined-name");
}

/** A Sequential subclass instance seen as a plain Sequential (for `super.forward`). */
function asSequentialView(m: ModuleValue): ModuleValue {
  const view = new ModuleValue(m.typeName, m.definedAt, undefined, "Sequential", undefined);
  for (const [k, c] of m.children) view.children.set(k, c);
  return view;
}

/** The container kind of an instance of a class whose chain starts at `root`. */
function containerOfRoot(root: BuiltinClass): ContainerKind | undefined {
  if (root.name === "Composite") return root.composite?.container;
  return root.name === "Module" || root.name === "Layer" ? undefined : root.name;
}
