from parcours.cli.app import main

main()
