[ru[2Jle]
