// mixprec: train small MLPs in several precision modes and report what each costs.
int main() { return 0; }
