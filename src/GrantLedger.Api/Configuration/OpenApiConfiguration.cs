using System.Text.Json.Nodes;
using GrantLedger.Api.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NodaTime;

namespace GrantLedger.Api.Configuration;

/// <summary>
/// The OpenAPI document at /openapi/v1.json, made trustworthy for generated clients: the bearer scheme, the statuses each
/// operation really answers (from <see cref="ApiContract"/>) with problem+json and their codes, and the headers.
/// </summary>
public static class OpenApiConfiguration
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "ProblemDetails";
    public const string ValidationProblemSchema = "ValidationProblemDetails";
    public const string RowErrorSchema = "RowError";
    public const string ProblemJson = "application/problem+json";
    public const string ProblemCodesExtension = "x-problem-codes";

    private static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>
    {
        ["Health"] = "Is the ledger up?",
        ["Identity"] = "Sign-in (bearer tokens), the signed-in user, user administration.",
        ["Programmes"] = "Programmes: allocation, commitments, grants awarded.",
        ["Grants"] = "Grants, tranche plans and payments (disbursements), four eyes, reversals, receipts.",
        ["Milestones"] = "Milestones, their deadlines, deliveries with evidence and their review.",
        ["Notifications"] = "The notification feed.",
        ["Currencies"] = "Donor FX rates.",
        ["Budgets"] = "Budgets, revisions and budget against actual.",
        ["Expenditure"] = "Expenditure reports and their review.",
        ["Amendments"] = "Amendments a second person approves.",
        ["Audit"] = "The audit trail, its hash chain and signed checkpoints, reconciliation.",
        ["Reports"] = "PDF reports generated in the background, and their verification.",
        ["Exports"] = "CSV and IATI exports.",
    };

    public static IServiceCollection AddGrantLedgerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddSchemaTransformer(DescribeValueTypes);
            o.AddOperationTransformer(DeclareContract);
            o.AddDocumentTransformer(DescribeDocument);
        });

    /// <summary>
    /// NodaTime values travel as ISO strings and money as exact decimals; say so, or clients get empty objects and doubles.
    /// Each request text and list declares its cap (<see cref="InputLimits.Fields"/>).
    /// </summary>
    private static Task DescribeValueTypes(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellation)
    {
        if (context.JsonPropertyInfo is { } property && property.DeclaringType is var owner)
        {
            if (InputLimits.Fields.TryGetValue((owner, property.Name), out var cap))
            {
                if (schema.Type?.HasFlag(JsonSchemaType.Array) == true)
                {
                    schema.MaxItems = cap;
                }
                else
                {
                    schema.MaxLength = cap;
                }
            }

            if (InputLimits.Fields.TryGetValue((owner, property.Name + "[]"), out var itemCap) && schema.Items is OpenApiSchema items)
            {
                items.MaxLength = itemCap;
            }
        }

        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        var nullable = type != context.JsonTypeInfo.Type;
        if (type == typeof(decimal))
        {
            schema.Format = "decimal";
        }
        else if (type == typeof(LocalDate) || type == typeof(Instant) || type == typeof(YearMonth))
        {
            schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = type == typeof(LocalDate) ? "date" : type == typeof(Instant) ? "date-time" : null;
            schema.Pattern = type == typeof(YearMonth) ? "^[0-9]{4}-[0-9]{2}$" : null;
            schema.Properties?.Clear();
        }

        return Task.CompletedTask;
    }

    private static async Task DeclareContract(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var description = context.Description;
        if (!ApiContract.Operations.TryGetValue($"{description.HttpMethod} /{description.RelativePath}", out var contract))
        {
            // Left as the framework describes it; OpenApiDocumentTests fails on any operation missing from the contract.
            return;
        }

        var document = context.Document!;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var policy = metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null);

        operation.Summary = contract.Summary;
        operation.Description = null;
        if ((description.ActionDescriptor as ControllerActionDescriptor)?.ControllerTypeInfo.Namespace?.Split('.').Last() is { } feature &&
            Tags.ContainsKey(feature))
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(feature, document) };
        }

        operation.Security = anonymous
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];

        operation.Parameters ??= [];
        foreach (var header in contract.Headers)
        {
            // An endpoint that binds the header itself makes the framework declare it too, as optional: one declaration.
            foreach (var bound in operation.Parameters.Where(p => p.In == ParameterLocation.Header &&
                         string.Equals(p.Name, header.Name, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                operation.Parameters.Remove(bound);
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Required = header.Required,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = header.MaxLength },
            });
        }

        operation.Parameters.Add(new OpenApiParameterReference(RequestMetadata.CorrelationHeader, document));

        if (contract.Body is { } body)
        {
            operation.RequestBody = await RequestBodyOf(body, context, cancellation);
        }

        var problems = new SortedDictionary<int, IReadOnlyList<string>>(contract.Problems.ToDictionary());
        void Add(int status, string code) => problems[status] = [.. (problems.GetValueOrDefault(status) ?? []).Union([code])];
        if (!anonymous)
        {
            Add(StatusCodes.Status401Unauthorized, "unauthenticated");
        }

        if (policy)
        {
            Add(StatusCodes.Status403Forbidden, "forbidden");
        }

        if (contract.Body is null && operation.RequestBody?.Content?.ContainsKey(ApiContract.Json) == true)
        {
            Add(StatusCodes.Status400BadRequest, "malformed-request");
            Add(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type");
        }

        // Every body has a size cap (InputLimits; RequestBodyLimits answers beyond it).
        if (operation.RequestBody is not null)
        {
            Add(StatusCodes.Status413PayloadTooLarge, "payload-too-large");
        }

        if (operation.Parameters.Any(p => p.In == ParameterLocation.Query))
        {
            Add(StatusCodes.Status400BadRequest, "malformed-request");
        }

        operation.Responses = new OpenApiResponses
        {
            [contract.Success.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                await SuccessOf(contract.Success, context, cancellation),
        };
        foreach (var (status, codes) in problems)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemOf(status, codes, document);
        }
    }

    private static async Task<OpenApiResponse> SuccessOf(Success success, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var response = new OpenApiResponse
        {
            Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(success.Status),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [success.MediaType] = new()
                {
                    Schema = success.Body is null
                        ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }
                        : await SchemaOf(success.Body, context, cancellation),
                },
            },
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                [RequestMetadata.CorrelationHeader] = new OpenApiHeaderReference(RequestMetadata.CorrelationHeader, context.Document),
            },
        };
        foreach (var header in success.Headers ?? [])
        {
            response.Headers[header.Name] = new OpenApiHeader
            {
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        return response;
    }

    private static OpenApiResponse ProblemOf(int status, IReadOnlyList<string> codes, OpenApiDocument document) => new()
    {
        Description = $"{ApiContract.Meaning(status)}. Problem codes: {string.Join(", ", codes.Select(c => $"`{c}`"))}.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new()
            {
                Schema = new OpenApiSchemaReference(status == StatusCodes.Status400BadRequest ? ValidationProblemSchema : ProblemSchema, document),
            },
        },
        Headers = new Dictionary<string, IOpenApiHeader>
        {
            [RequestMetadata.CorrelationHeader] = new OpenApiHeaderReference(RequestMetadata.CorrelationHeader, document),
        },
        Extensions = new Dictionary<string, IOpenApiExtension>
        {
            [ProblemCodesExtension] = new JsonNodeExtension(new JsonArray([.. codes.Select(c => JsonValue.Create(c))])),
        },
    };

    private static async Task<OpenApiRequestBody> RequestBodyOf(RequestBody body, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var content = new Dictionary<string, OpenApiMediaType>();
        foreach (var (mediaType, part) in body.Content)
        {
            IOpenApiSchema schema;
            if (part.Json is { } json)
            {
                schema = await SchemaOf(json, context, cancellation);
            }
            else if (part.Csv is { } columns)
            {
                schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = $"CSV with a header row: {columns}" };
            }
            else
            {
                var properties = new Dictionary<string, IOpenApiSchema>();
                foreach (var text in part.Texts ?? [])
                {
                    properties[text] = new OpenApiSchema { Type = JsonSchemaType.String };
                }

                foreach (var file in part.Files ?? [])
                {
                    properties[file] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                }

                foreach (var files in part.RepeatedFiles ?? [])
                {
                    properties[files] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                    };
                }

                schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties, Description = part.Description };
            }

            content[mediaType] = new OpenApiMediaType { Schema = schema };
        }

        return new OpenApiRequestBody { Required = true, Content = content };
    }

    /// <summary>A reference to the type's component schema (an array of references for a list).</summary>
    private static async Task<IOpenApiSchema> SchemaOf(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellation);
        return Referenced(schema, context.Document!, new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance));
    }

    /// <summary>
    /// A schema made for a transformer comes back inline, nested types and all; every type with a schema id becomes a
    /// component, as the framework does for the types it describes itself, so clients get one class per type.
    /// </summary>
    private static IOpenApiSchema Referenced(IOpenApiSchema schema, OpenApiDocument document, HashSet<IOpenApiSchema> seen)
    {
        if (schema is not OpenApiSchema inline || !seen.Add(inline))
        {
            return schema;
        }

        foreach (var (name, property) in inline.Properties?.ToList() ?? [])
        {
            inline.Properties![name] = Referenced(property, document, seen);
        }

        if (inline.Items is not null)
        {
            inline.Items = Referenced(inline.Items, document, seen);
        }

        if (inline.AdditionalProperties is not null)
        {
            inline.AdditionalProperties = Referenced(inline.AdditionalProperties, document, seen);
        }

        foreach (var list in new[] { inline.OneOf, inline.AnyOf, inline.AllOf })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                list![i] = Referenced(list[i], document, seen);
            }
        }

        if (inline.Metadata?.TryGetValue(SchemaIdKey, out var value) != true || value is not string { Length: > 0 } id)
        {
            return inline;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(id, inline);
        return new OpenApiSchemaReference(id, document);
    }

    /// <summary>Where Microsoft.AspNetCore.OpenApi keeps the component name it would give a schema.</summary>
    private const string SchemaIdKey = "x-schema-id";

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellation)
    {
        document.Info = new OpenApiInfo
        {
            Title = "GrantLedger API",
            Version = "v1",
            Description = "An event-sourced grant ledger. Sign in with `POST /api/auth/token` and send the token as " +
                "`Authorization: Bearer <token>`. Every problem is `application/problem+json` with a stable `code` to switch on; " +
                "each response lists the codes it can carry (also as `x-problem-codes`). See docs/api.md.",
        };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An opaque access token from `POST /api/auth/token` (not a JWT), valid for 60 minutes by default.",
        };

        document.Components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        document.Components.Parameters[RequestMetadata.CorrelationHeader] = new OpenApiParameter
        {
            Name = RequestMetadata.CorrelationHeader,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Recorded on every event of the request (1 to 200 characters; otherwise one is generated) and echoed back.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200 },
        };
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers[RequestMetadata.CorrelationHeader] = new OpenApiHeader
        {
            Description = "The correlation id the request's events were recorded under: the one sent, or one generated.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.Remove("IResult");
        document.Components.Schemas[RowErrorSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "row", "field", "message" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["row"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "1-based row of the JSON array or CSV data; 0: the request as a whole" },
                ["field"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        };
        document.Components.Schemas[ProblemSchema] = Problem(
            "RFC 9457 problem details. Switch on `code`.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchemaReference(RowErrorSchema, document),
                Description = "Row refusals only (`invalid-budget`, `invalid-expenditure-entries`, `invalid-review`, `invalid-fx-rates`): every bad row.",
            });
        document.Components.Schemas[ValidationProblemSchema] = Problem(
            "RFC 9457 problem details of a malformed request. Switch on `code`.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                Description = "Validation failures: field name to messages, every bad field at once.",
            });

        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
        return Task.CompletedTask;
    }

    private static OpenApiSchema Problem(string description, OpenApiSchema errors) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Required = new HashSet<string> { "type", "title", "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "`urn:grantledger:problem:<code>`" },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable problem code; the response lists which it can carry." },
            ["correlationId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = errors,
        },
    };
}
