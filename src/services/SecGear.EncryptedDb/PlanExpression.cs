namespace SecGear.EncryptedDb;

/// <summary>A boolean expression the enclave evaluates on each candidate row (SQL three-valued logic).</summary>
public abstract record PlanExpression;

/// <summary>An operand: a candidate column or a literal.</summary>
public abstract record PlanOperand;

/// <summary>The value of candidate column <paramref name="Index"/>.</summary>
public sealed record ColumnOperand(int Index) : PlanOperand;

/// <summary>A constant (null for SQL NULL). It travels inside the secure channel only.</summary>
public sealed record LiteralOperand(object? Value) : PlanOperand;

/// <summary>All of the parts (AND).</summary>
public sealed record AndExpression(IReadOnlyList<PlanExpression> Parts) : PlanExpression;

/// <summary>Any of the parts (OR).</summary>
public sealed record OrExpression(IReadOnlyList<PlanExpression> Parts) : PlanExpression;

/// <summary>NOT.</summary>
public sealed record NotExpression(PlanExpression Operand) : PlanExpression;

/// <summary><c>left op right</c>.</summary>
public sealed record CompareExpression(CompareOperator Operator, PlanOperand Left, PlanOperand Right) : PlanExpression;

/// <summary><c>value [NOT] BETWEEN low AND high</c>.</summary>
public sealed record BetweenExpression(PlanOperand Value, PlanOperand Low, PlanOperand High, bool Negated) : PlanExpression;

/// <summary><c>value [NOT] IN (v1, v2, ...)</c>.</summary>
public sealed record InExpression(PlanOperand Value, IReadOnlyList<PlanOperand> List, bool Negated) : PlanExpression;

/// <summary><c>value [NOT] LIKE pattern</c> (PostgreSQL rules: % and _, backslash escapes, case-sensitive).</summary>
public sealed record LikeExpression(PlanOperand Value, string Pattern, bool Negated) : PlanExpression;

/// <summary><c>value IS [NOT] NULL</c>.</summary>
public sealed record IsNullExpression(PlanOperand Value, bool Negated) : PlanExpression;
