from .cli import main

if __name__ == "__main__":  # not in processes started with spawn (Dask workers), which import this module again
    main(prog_name="stripper")
