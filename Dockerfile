# GrantLedger API image.
#   docker build -t grantledger .
#   docker compose up --build        (with PostgreSQL, see docker-compose.yml)
# The image only runs the API; PostgreSQL comes from ConnectionStrings__GrantLedger.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Central package management: versions live in Directory.Packages.props, shared build settings
# (net10.0, nullable, warnings as errors) in Directory.Build.props; both must sit at the repository root.
COPY Directory.Build.props Directory.Packages.props GrantLedger.sln ./
COPY src/ src/
# The solution lists the test projects too, so restoring it needs their project files.
COPY tests/ tests/
RUN dotnet restore GrantLedger.sln

RUN dotnet publish src/GrantLedger.Api/GrantLedger.Api.csproj \
        --configuration Release --no-restore --output /app/publish /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# The publish output includes Demo/sos-central-asia.json, read when GrantLedger__Demo__Seed=true.
COPY --from=build /app/publish .
# Non-root user provided by the .NET images.
USER $APP_UID
ENTRYPOINT ["dotnet", "GrantLedger.Api.dll"]
