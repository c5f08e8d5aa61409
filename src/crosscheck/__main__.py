from crosscheck.cli.app import main

main()
