return 0;

public partial class Program { }
