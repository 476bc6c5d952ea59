/** Expression nodes. `offset` is the 0-based position of the node's first token in the source. */
export type Expr =
  | { kind: 'literal'; value: unknown; offset: number }
  | { kind: 'name'; name: string; offset: number }
  | { kind: 'attr'; object: Expr; key: Expr; offset: number }
  | { kind: 'call'; name: string; args: Args; offset: number }
  | { kind: 'filter'; input: Expr; name: string; args: Args; offset: number }
  | { kind: 'test'; input: Expr; name: string; negated: boolean; args: Args; offset: number }
  | { kind: 'unary'; op: 'not' | '-' | '+'; operand: Expr; offset: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; offset: number }
  | { kind: 'ternary'; condition: Expr; then: Expr; otherwise: Expr; offset: number }
  | { kind: 'list'; items: Expr[]; offset: number }
  | { kind: 'map'; entries: Array<{ key: Expr; value: Expr }>; offset: number };

export type BinaryOp =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '~'
  | '..'
  | 'in'
  | 'not in'
  | 'contains'
  | '??'
  | '???';

/** Positional and named (`date(format='yyyy')`) arguments of a call, filter or test. */
export type Args = { positional: Expr[]; named: Array<{ name: string; value: Expr }> };

/** Template nodes. */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: Expr; offset: number }
  | { kind: 'if'; branches: Array<{ condition: Expr; body: Node[] }>; otherwise: Node[] | undefined }
  | {
      kind: 'for';
      variable: string;
      iterable: Expr;
      body: Node[];
      otherwise: Node[] | undefined;
      offset: number;
    }
  | { kind: 'set'; name: string; value: Expr };
