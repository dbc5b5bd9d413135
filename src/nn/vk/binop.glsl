// ncnn BinaryOp types (ops.c binop): 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 pow,
// 7 rsub, 8 rdiv, 9 rpow.
float binop(int op, float a, float b)
{
    if (op == 0) return a + b;
    if (op == 1) return a - b;
    if (op == 2) return a * b;
    if (op == 3) return a / b;
    if (op == 4) return max(a, b);
    if (op == 5) return min(a, b);
    if (op == 6) return pow(a, b);
    if (op == 7) return b - a;
    if (op == 8) return b / a;
    return pow(b, a);
}
